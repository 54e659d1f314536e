/**
 * embedding.html: docs/embedding.md as a page, its HTML examples live.
 * Prose goes through the lessons' Markdown subset (src/lessons/markdown.ts)
 * and is built as elements; a fenced `html` block that holds
 * `<amqp-playground>` or the iframe form is shown as code and then played
 * (by /embed.js, loaded by the page as the docs tell anyone to).
 */
import markdown from '../../docs/embedding.md?raw';
import { parseBlocks, parseInline, type Block, type Inline } from '../lessons/markdown.ts';

function inline(parent: HTMLElement, inlines: Inline[]): void {
  for (const i of inlines) {
    if (i.kind === 'text') parent.append(i.text);
    else {
      const el = document.createElement(i.kind === 'link' ? 'a' : i.kind);
      el.textContent = i.text;
      if (i.kind === 'link') (el as HTMLAnchorElement).href = i.href;
      parent.append(el);
    }
  }
}

function block(b: Block): HTMLElement {
  if (b.kind === 'code') {
    const pre = document.createElement('pre');
    pre.className = `code ${b.lang}`;
    pre.textContent = b.text;
    return pre;
  }
  if (b.kind === 'list') {
    const list = document.createElement(b.ordered ? 'ol' : 'ul');
    for (const item of b.items) {
      const li = document.createElement('li');
      inline(li, item);
      list.append(li);
    }
    return list;
  }
  const el = document.createElement(b.kind === 'h' ? 'h3' : 'p');
  inline(el, b.inlines);
  return el;
}

/** The live copy of an example: only its playground elements and iframes, from our own docs file. */
function live(html: string): HTMLElement {
  const holder = document.createElement('div');
  holder.className = 'live';
  const template = document.createElement('template');
  template.innerHTML = html;
  for (const el of template.content.querySelectorAll('amqp-playground, iframe')) if (!el.parentElement?.closest('amqp-playground')) holder.append(document.importNode(el, true));
  return holder;
}

export function render(md: string, into: HTMLElement): void {
  const lines = md.split('\n');
  let prose: string[] = [];
  const flush = () => {
    for (const b of parseBlocks(prose)) into.append(block(b));
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const heading = /^(#{1,2})\s+(.*)$/.exec(lines[i]);
    if (heading) {
      flush();
      const h = document.createElement(heading[1].length === 1 ? 'h1' : 'h2');
      inline(h, parseInline(heading[2]));
      into.append(h);
      continue;
    }
    const fence = /^```html\s*$/.exec(lines[i]);
    if (fence) {
      const code: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) code.push(lines[i]);
      const html = code.join('\n');
      flush();
      into.append(block({ kind: 'code', lang: 'html', text: html }));
      if (/<amqp-playground|<iframe/.test(html)) into.append(live(html));
      continue;
    }
    prose.push(lines[i]);
  }
  flush();
}

render(markdown, document.getElementById('doc')!);

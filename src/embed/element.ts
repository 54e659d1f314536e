/**
 * `<amqp-playground>`: the embed's entry (built as /embed.js). One script
 * tag and the element on any page; each element has its own shadow root,
 * sandbox, clock, language and keyboard scope. See docs/embedding.md.
 */
import { mount, unmount } from 'svelte';
import Playground from './Playground.svelte';
import { ATTRIBUTES, describeProblem, readOptions } from './options.ts';
import { EmbedState } from './state.svelte.ts';
import { EVENT_PREFIX, TAG, type Emit } from './events.ts';

/** The host element's own box: the page's inherited styles stop here (the view sets its own, Playground.svelte). */
const HOST_CSS = `
:host { all: initial; display: block; contain: content; }
:host([hidden]) { display: none; }
`;

export class AmqpPlayground extends HTMLElement {
  static observedAttributes = [...ATTRIBUTES];

  private readonly embed = new EmbedState();
  private app: ReturnType<typeof mount> | null = null;
  /** The scenario may be the element's text: a change to it is a change of scenario. */
  private readonly textWatch = new MutationObserver(() => this.read());

  /** Sends an event to the host page: bubbling and composed, so it reaches listeners on the element, its ancestors and the document. */
  private readonly emit: Emit = (type, detail) => {
    this.dispatchEvent(new CustomEvent(`${EVENT_PREFIX}${type}`, { detail, bubbles: true, composed: true }));
  };

  connectedCallback(): void {
    if (this.app) return;
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = HOST_CSS;
    const target = document.createElement('div');
    root.replaceChildren(style, target);
    this.read();
    this.textWatch.observe(this, { childList: true, characterData: true, subtree: true });
    this.app = mount(Playground, { target, props: { embed: this.embed, emit: this.emit, base: document.baseURI } });
  }

  disconnectedCallback(): void {
    if (!this.app) return;
    this.textWatch.disconnect();
    void unmount(this.app);
    this.app = null;
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
    if (this.app && old !== value) this.read();
  }

  /** Reads every attribute (the scenario from the text content when there is no `scenario` attribute) and tells each problem. */
  private read(): void {
    const text = this.textContent?.trim() ? this.textContent : null;
    const inherited = this.parentElement?.closest('[lang]')?.getAttribute('lang') ?? null;
    const { options, problems } = readOptions((name) => (name === 'scenario' ? (this.getAttribute(name) ?? text) : this.getAttribute(name)), inherited);
    this.embed.options = options;
    const before = new Set(this.embed.problems.map(describeProblem));
    this.embed.problems = problems;
    for (const p of problems) if (!before.has(describeProblem(p))) this.emit('error', { message: describeProblem(p), attribute: p.attribute });
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, AmqpPlayground);

/**
 * The iframe form (embed.html): the same options as URL parameters
 * (`embed.html?scenario=…&panels=shell,log&player&theme=dark`), one
 * playground filling the frame, and its events posted to the parent window
 * as `PlaygroundMessage`s (docs/embedding.md). The element itself comes
 * from /embed.js, as on any other page.
 */
import { ATTRIBUTES } from './options.ts';
import { EVENT_PREFIX, TAG, type PlaygroundEventType, type PlaygroundMessage } from './events.ts';

const EVENTS: PlaygroundEventType[] = ['ready', 'finished', 'goal', 'error'];

/** Makes the playground element for `params`: each known parameter becomes the attribute of its name. */
export function playgroundFor(params: URLSearchParams, doc: Document = document): HTMLElement {
  const el = doc.createElement(TAG);
  for (const name of ATTRIBUTES) {
    const value = params.get(name);
    if (value !== null) el.setAttribute(name, value);
  }
  if (!params.has('height')) el.setAttribute('height', '100vh');
  return el;
}

/** Posts each of the element's events to `parent` as a PlaygroundMessage from `frame`. */
export function forwardEvents(el: HTMLElement, frame: string, parent: Pick<Window, 'postMessage'>): void {
  for (const type of EVENTS) {
    el.addEventListener(`${EVENT_PREFIX}${type}`, (e) => {
      const message: PlaygroundMessage = { source: 'amqp-playground', frame, type, detail: (e as CustomEvent).detail };
      // The messages carry nothing private (what the scenario did), so any parent may read them.
      parent.postMessage(message, '*');
    });
  }
}

const params = new URLSearchParams(location.search);
const el = playgroundFor(params);
forwardEvents(el, params.get('id') ?? window.name ?? '', window.parent);
document.body.append(el);

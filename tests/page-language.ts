// Every unit and component test runs as the page does: with the page's language set up
// (src/i18n/index.svelte.ts), which views and the story speak outside an embedded playground.
import '../src/i18n/index.svelte.ts';

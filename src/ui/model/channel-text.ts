/**
 * A channel's status in words, short for a topology node and whole for the
 * inspector, in the current language: `channelTexts(t)` for a translation
 * of one's own (an embedded playground's), the named exports in the page's.
 */
import { pageT, type Translate } from '../../i18n/locale.svelte.ts';
import type { ChannelStatus } from './channel-status.ts';

/** Short parts joined with a middle dot, the empty ones left out. */
export const dotted = (...parts: string[]): string => parts.filter(Boolean).join(' · ');

export function channelTexts(t: Translate = pageT) {
  const stateText = (state: ChannelStatus['state']): string => t(`channel.state.${state}`);

  /** "unacked 1 2 3 … (40)", or "nothing unacked". */
  function unackedText(s: Pick<ChannelStatus, 'unackedTags' | 'unacked'>, shown = 6): string {
    if (!s.unacked) return t('channel.unacked.none');
    const tags = s.unackedTags.slice(0, shown).join(' ');
    return s.unacked > shown ? t('channel.unacked.more', { tags, count: s.unacked }) : t('channel.unacked', { tags });
  }

  /** Confirm mode, transactional, or neither. */
  function modeText(s: ChannelStatus, long = false): string {
    if (s.confirm) return long ? t('channel.mode.confirm.seq', { seq: s.publishSeq }) : t('channel.mode.confirm');
    if (s.tx) return t('channel.mode.tx');
    return long ? t('channel.mode.plain') : '';
  }

  /** The channel-wide limit, when there is one. */
  const globalPrefetchText = (s: ChannelStatus): string => (s.globalPrefetch ? t('channel.prefetch.global', { n: s.globalPrefetch }) : '');

  /** What a consumer may hold: "no ack", "prefetch 10", "no prefetch". */
  const consumerLimitText = (noAck: boolean, prefetch: number): string =>
    noAck ? t('channel.no-ack') : prefetch ? t('channel.prefetch', { n: prefetch }) : t('channel.prefetch.none');

  return { stateText, unackedText, modeText, globalPrefetchText, consumerLimitText };
}

export const { stateText, unackedText, modeText, globalPrefetchText, consumerLimitText } = channelTexts();

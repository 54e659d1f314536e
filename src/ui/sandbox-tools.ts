/**
 * What a sandbox loads when it opens (one dynamic import): the shell (its
 * parser and printer), the agents, the channels' readings and the
 * inspector's message histories. A page can draw the broker and its
 * controls before these arrive; an embedded playground's first load stays
 * small (docs/performance.md, "The embed's budget").
 */
export { EngineBackend } from '../shell/engine-backend.ts';
export { ShellSession } from '../shell/session.ts';
export { RecordingAgents, applyAgentOp } from '../scenario/recording-agents.ts';
export { MessageStories } from './model/message-story.ts';
export { ChannelHistory, readChannels } from './model/channel-status.ts';

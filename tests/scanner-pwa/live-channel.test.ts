// The console's socket (live-channel.ts) with the Live section's state (live-board): hello as
// this device with no checkpoint and no cursor, the live view asked for after each welcome,
// the snapshot and its deltas folded in order, a stale delta ignored; an inspector's refusal
// stops it for good; leaving the section closes the socket (how protocol 9 unsubscribes).
import { describe, expect, it } from 'vitest';
import { deviceId, checkpointId, type InspectorId } from '@gatekeeper/shared/ids';
import { PROTOCOL_VERSION, type LiveDelta, type LiveSnapshot } from '@gatekeeper/shared/protocol/index';
import { LiveBoard } from '../../scanner-pwa/src/lib/console/live-board.svelte.ts';
import { LiveChannel } from '../../scanner-pwa/src/lib/console/live-channel.ts';
import { ScriptedSocket } from '../support/scripted-socket.ts';
import { EVENT } from '../support/factories.ts';

const welcome = (role: 'inspector' | 'supervisor') => ({
  type: 'welcome', v: PROTOCOL_VERSION, serverTime: 1, inspector: { id: 'i-1' as InspectorId, name: 'Sam', role }, eventId: EVENT, codeWord: null, cursor: 5, logId: 'log-1',
});
const snap: LiveSnapshot = {
  eventId: EVENT, cursor: 5, ticketsSold: 10, admitted: 2, quarantined: 0,
  checkpoints: [{ checkpointId: checkpointId('main'), admitted: 2 }], zones: [], minutes: [], outcomes: [{ outcome: 'valid', count: 2 }],
};
const delta = (cursor: number, admitted: number): LiveDelta => ({
  eventId: EVENT, cursor, admitted, checkpoints: [{ checkpointId: checkpointId('main'), admitted }], zones: [], minutes: [], outcomes: [{ outcome: 'valid', count: admitted }], quarantine: [],
});

function console_() {
  const socket = new ScriptedSocket();
  const board = new LiveBoard();
  const channel = new LiveChannel(socket, () => 'ws://nowhere/ws', { eventId: EVENT, deviceId: deviceId('laptop'), deviceSecret: 's3cret' }, board);
  return { socket, board, channel };
}

describe('the console\u2019s live channel', () => {
  it('says hello with no checkpoint and no cursor, subscribes after the welcome, folds the snapshot and deltas in cursor order', () => {
    const { socket, board, channel } = console_();
    channel.start();
    socket.open();
    expect(JSON.parse(socket.sent[0]!)).toMatchObject({ type: 'hello', eventId: EVENT, deviceId: 'laptop', deviceSecret: 's3cret', checkpointId: null, cursor: null });
    expect(socket.sentTypes()).toEqual(['hello']);
    socket.deliver(welcome('supervisor'));
    expect(socket.sentTypes()).toEqual(['hello', 'liveSubscribe']);
    expect(board.view).toBeNull();

    socket.deliver({ type: 'live', snapshot: snap });
    expect(board.link).toBe('live');
    expect(board.view?.admitted).toBe(2);
    socket.deliver({ type: 'liveDelta', delta: delta(7, 4) });
    // Older than the view: stale, changes nothing.
    socket.deliver({ type: 'liveDelta', delta: delta(6, 3) });
    expect(board.view).toMatchObject({ cursor: 7, admitted: 4, checkpoints: [{ checkpointId: 'main', admitted: 4 }] });
    // Gossip of the scans themselves is the scanner's business: ignored here.
    socket.deliver({ type: 'scans', scans: [], cursor: 7, more: false });
    expect(board.view?.cursor).toBe(7);
  });

  it('an inspector\u2019s subscription is refused: shown as refused, and the socket closed for good', () => {
    const { socket, board, channel } = console_();
    channel.start();
    socket.open();
    socket.deliver(welcome('inspector'));
    socket.deliver({ type: 'error', code: 'forbidden', message: 'the live view is for supervisors', ref: null });
    expect(board.link).toBe('refused');
    expect(board.refusal).toEqual({ reason: 'forbidden', message: 'the live view is for supervisors' });
    expect(board.view).toBeNull();
    expect(socket.connected).toBe(false);
  });

  it('leaving the section closes the socket; a new start subscribes again and takes the new snapshot', () => {
    const { socket, board, channel } = console_();
    channel.start();
    socket.open();
    socket.deliver(welcome('supervisor'));
    socket.deliver({ type: 'live', snapshot: snap });
    channel.stop();
    expect(socket.connected).toBe(false);

    channel.start();
    socket.open();
    socket.deliver(welcome('supervisor'));
    expect(socket.sentTypes().filter((t) => t === 'liveSubscribe')).toHaveLength(2);
    socket.deliver({ type: 'live', snapshot: { ...snap, cursor: 9, admitted: 6 } });
    expect(board.view).toMatchObject({ cursor: 9, admitted: 6 });
  });
});

import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import { ChannelHistory, readChannels } from '../../src/ui/model/channel-status.ts';

describe('channel status, from the channel machine', () => {
  it('reads state, next delivery tag, unacked tags, prefetch and confirm mode', () => {
    const broker = new Broker();
    const ch = broker.connect({ name: 'a' }).openChannel();
    ch.queueDeclare({ queue: 'q' });
    ch.basicQos({ prefetchCount: 5 });
    ch.basicConsume({ queue: 'q', consumerTag: 'c' });
    const pub = broker.connect({ name: 'b' }).openChannel();
    pub.confirmSelect();
    for (let i = 0; i < 3; i++) pub.basicPublish({ exchange: '', routingKey: 'q', body: 'm' });
    ch.basicAck({ deliveryTag: 2 });
    const s = readChannels(broker);
    expect(s.get('c:a:1')).toEqual({ state: 'open', nextDeliveryTag: 4, unackedTags: [1, 3], unacked: 2, prefetch: 5, globalPrefetch: 0, confirm: false, publishSeq: 0, tx: false });
    expect(s.get('c:b:1')).toMatchObject({ state: 'open', confirm: true, publishSeq: 3 });
    ch.close();
    expect(readChannels(broker).has('c:a:1')).toBe(false);
  });

  it('keeps readings only when they change, and finds the one in force at any time', () => {
    const broker = new Broker();
    const ch = broker.connect({ name: 'a' }).openChannel();
    const h = new ChannelHistory();
    const first = h.record(10, readChannels(broker));
    expect(h.record(20, readChannels(broker))).toBe(first);
    ch.basicQos({ prefetchCount: 2 });
    h.record(30, readChannels(broker));
    expect(h.at(5).size).toBe(0);
    expect(h.at(25).get('c:a:1')!.prefetch).toBe(0);
    expect(h.at(30).get('c:a:1')!.prefetch).toBe(2);
    h.forgetAfter(25);
    expect(h.at(30).get('c:a:1')!.prefetch).toBe(0);
  });
});

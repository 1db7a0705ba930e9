"""Each event broker gets a live hub of its own, listening on it: one process may make many
brokers (a server restarted in-process, the tests' in-process servers), and a broker made
where an ended one lay in memory must not be handed the ended one's hub, which never hears its
events (the hubs were kept by ``id(broker)``; a freed broker's id is soon reused)."""

from __future__ import annotations

import gc

from ft_dcc.server.events.hub import EventBroker
from ft_dcc.server.review.presenter.live_hub import hub_for

BROKERS = 20


def test_every_broker_gets_a_hub_that_hears_it() -> None:
    deaf = 0
    for _ in range(BROKERS):
        broker = EventBroker()
        hub = hub_for(broker)
        deaf += hub.on_event not in broker.listeners
        assert hub_for(broker) is hub, "one hub per broker"
        broker.close()
        del broker, hub
        gc.collect(1)  # the young generations: the broker and its cycles (a full collection
        # of a worker holding a whole suite costs a second)
    assert deaf == 0, f"{deaf} of {BROKERS} brokers were handed an ended broker's hub"

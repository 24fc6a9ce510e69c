import pytest

from tests.catalogue.factories import make_owner, publish


@pytest.fixture
def catalogue(db, owner):
    """A small catalogue: four active services, one deprecated, one withdrawn."""
    other = make_owner("dana@example.com", "Dana Data")
    services = {
        "fast-translate": publish("fast-translate", owner=owner, name="Fast Translate",
                                  capabilities=["translation"], languages=["de", "en", "fr"],
                                  p95_ms=80, accuracy=0.96, availability=99.9, per_request=0.001,
                                  description="Neural translation for German and French.",
                                  endpoint="https://api.fast.example/v1",
                                  documentation_url="http://docs.fast.example/"),
        "slow-translate": publish("slow-translate", owner=other, name="Slow Translate",
                                  capabilities=["translation", "summarization"],
                                  languages=["de", "fr"], p95_ms=900, accuracy=0.99,
                                  per_request=0.0005),
        "chat-bot": publish("chat-bot", owner=other, name="Chat Bot",
                            capabilities=["chat_completion"], languages=["en"], p95_ms=1500,
                            per_token=0.00001, tags=["llm"]),
        "euro-embed": publish("euro-embed", owner=other, name="Euro Embed",
                              capabilities=["text_embedding"], languages=["en"], p95_ms=30,
                              per_request=0.0001, currency="EUR"),
    }
    services["old-translate"] = publish(
        "old-translate", owner=owner, name="Old Translate", capabilities=["translation"],
        languages=["de", "fr"], p95_ms=100, accuracy=0.97, per_request=0.0001,
        status="deprecated", successor=services["fast-translate"])
    services["gone-service"] = publish("gone-service", owner=owner, name="Gone Service",
                                       status="withdrawn")
    return services

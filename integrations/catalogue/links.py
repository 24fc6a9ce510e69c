"""Links to many services at once: one reverse() per answer, not one per service.

reverse() costs 50-90 us on the reference host, and an answer listing 20 services needs 20 to 40
of them (the catalogue list's rows; the API's `url` and `html_url`): a tenth to a fifth of those
answers' CPU. Service ids are slugs, so they go into the path as they are, which is what
reverse() does with them too; tests/catalogue/test_list_cost.py compares every link with it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

PLACEHOLDER = "-"


def service_links(view_name: str) -> Callable[[str], str]:
    """A function from a service id to reverse(view_name, kwargs={"service_id": id}), for a URL
    pattern whose path has nothing after the service id but slashes."""
    head, tail = reverse(view_name, kwargs={"service_id": PLACEHOLDER}).rsplit(PLACEHOLDER, 1)
    return lambda service_id: f"{head}{service_id}{tail}"

import pytest

from tests.tickets.staff import join_provider_staff


@pytest.fixture
def staff(xavier, yvonne):
    """Xavier (provider X) and Yvonne (provider Y) may work their providers' ticket inboxes."""
    join_provider_staff(xavier, yvonne)
    return xavier, yvonne

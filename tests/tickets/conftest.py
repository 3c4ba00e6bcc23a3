import pytest

from tests.helpers import provider_staff_group


@pytest.fixture
def staff(xavier, yvonne):
    """Xavier (provider X) and Yvonne (provider Y) may work their providers' ticket inboxes."""
    provider_staff_group(xavier, yvonne)
    return xavier, yvonne

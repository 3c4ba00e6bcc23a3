from django.apps import AppConfig


class ShopConfig(AppConfig):
    """The seller's own settings (/settings/): profile, notices, return addresses, history.

    Its rows are Seller data and live in `portal` (the outbox reads them); this app
    holds the pages and services, above `returns`, whose outbox sends its emails.
    """

    name = "shop"

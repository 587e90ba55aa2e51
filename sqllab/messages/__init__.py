"""Message catalogs, one module per area; see ``sqllab.i18n``."""

"""The portal's translation catalogs, kept without system gettext.

`extract` finds every msgid the way Django's makemessages would, `catalogs`
writes, checks and compiles `locale/<lang>/LC_MESSAGES/<domain>.po` with Babel.
The management commands i18n_extract, i18n_check and i18n_compile call these.
"""

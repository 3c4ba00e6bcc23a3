import logging
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core import mail
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.emails import email_headers
from portal.languages import html_lang, language_of, recipient_language

logger = logging.getLogger(__name__)


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class RecipientLanguagePasswordResetForm(PasswordResetForm):
    """Django's reset email, written in the language of the user it goes to.

    That is their own, their seller's or their provider's language; for a user
    with none, the language of the page they asked from.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = recipient_language(language_of(context["user"]) or translation.get_language())
        context = {**context, "html_lang": html_lang(language)}
        with translation.override(language):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
            message = mail.EmailMultiAlternatives(
                subject, body, from_email, [to_email], headers=email_headers(language)
            )
            if html_email_template_name is not None:
                html = loader.render_to_string(html_email_template_name, context)
                message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception:  # as Django's own: the page must not say whether the address exists
            logger.exception("Failed to send password reset email to %s", context["user"].pk)

"""A form sent without a valid CSRF token (it had been open too long, or cookies are
blocked) gets a page in the site's style that says so and leads back to the form."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from symposium.models import Delegate
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import manage_url

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "first_name": "Priya",
    "last_name": "O'Neill",
    "email": "priya.oneill@nhs.net",
    "organisation": "Kent and Medway ICB",
    "sector": "nhs",
    "privacy_consent": "on",
}


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def register_url(event):
    return reverse("registration:register", kwargs={"event_slug": event.slug})


def text(response):
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def links(response):
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return [
        (unescape(href), " ".join(re.sub(r"<[^>]+>", " ", label).split()))
        for href, label in re.findall(r'<a href="([^"]*)">(.*?)</a>', main, re.S)
    ]


def assert_csrf_page(response):
    assert response.status_code == 403
    assert [template.name for template in response.templates][:2] == [
        "csrf_failure.html",
        "base.html",
    ]
    assert "<h1>Sorry, your form could not be sent</h1>" in response.content.decode()
    assert response.content.decode().count("<h1>") == 1
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_expired_register_form_leads_back_to_it(browser, event):
    browser.get(register_url(event))  # The form, and its cookie.
    browser.cookies["csrftoken"] = "x" * 32  # Since then the token has changed.

    response = browser.post(register_url(event), REGISTRATION | {"csrfmiddlewaretoken": "y" * 32})

    assert_csrf_page(response)
    assert text(response) == (
        "Sorry, your form could not be sent "
        "Nothing was saved. For your security, each form works only for a while and only in a "
        "browser that keeps this site's cookies. "
        "The form had probably been open for too long, or your browser has blocked or cleared "
        "this site's cookies since you opened it. "
        "Open the form again and send your answers once more."
    )
    assert links(response) == [(register_url(event), "Open the form again")]
    # In the event's own header.
    assert "<title>Sorry, your form could not be sent – Kent and Medway ICS symposium</title>" in (
        response.content.decode()
    )
    assert not Delegate.objects.exists()


def test_register_without_a_token_or_cookie_says_cookies_may_be_blocked(browser, event):
    response = browser.post(register_url(event), REGISTRATION)

    assert_csrf_page(response)
    assert "Your browser did not send this site's cookie. It may be blocking cookies" in (
        text(response)
    )
    assert links(response) == [(register_url(event), "Open the form again")]
    assert not Delegate.objects.exists()


def test_manage_form_without_a_token_leads_back_to_the_manage_page(browser, event):
    delegate = DelegateFactory(event=event)
    url = manage_url(delegate)

    response = browser.post(url, {"first_name": "Changed"})

    assert_csrf_page(response)
    assert links(response) == [(url, "Open the form again")]
    delegate.refresh_from_db()
    assert delegate.first_name != "Changed"


def test_post_to_an_event_page_without_a_form_leads_to_its_register_page(browser, event):
    agenda = reverse("symposium:agenda", kwargs={"slug": event.slug})

    response = browser.post(agenda, {}, headers={"Referer": "https://evil.example/"})

    assert_csrf_page(response)
    assert links(response) == [(register_url(event), "Open the form again")]


def test_post_elsewhere_leads_home_and_ignores_another_sites_referer(browser, event):
    response = browser.post(
        "/", {}, headers={"Referer": f"https://evil.example{register_url(event)}"}
    )

    assert_csrf_page(response)
    assert links(response) == [("/", "Go to the home page")]
    assert "<title>Sorry, your form could not be sent</title>" in response.content.decode()


def test_referer_from_this_site_names_the_form(browser, event):
    response = browser.post("/", {}, headers={"Referer": f"http://testserver{register_url(event)}"})

    assert_csrf_page(response)
    assert links(response) == [(register_url(event), "Open the form again")]

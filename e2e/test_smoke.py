"""The demo answers in the browser: the login page, a sign-in, the home page, the menu."""

from playwright.sync_api import expect


def test_login_and_home(journey):
    journey.goto("/accounts/login/")
    expect(journey.page.locator("#id_username")).to_be_visible()
    journey.shot("login")
    journey.login("demo-gov")
    expect(journey.page.locator("body")).to_contain_text("刘建华")
    journey.shot("home-gov")


def test_wrong_password_is_refused_in_chinese(journey):
    journey.goto("/accounts/login/")
    journey.page.fill("#id_username", "demo-gov")
    journey.page.fill("#id_password", "wrong-password")
    journey.page.press("#id_password", "Enter")
    journey.page.wait_for_load_state("networkidle")
    expect(journey.page.locator(".alert-danger")).to_contain_text("请输入一个正确的用户名和密码")
    expect(journey.page).to_have_url(journey.url("/accounts/login/"))

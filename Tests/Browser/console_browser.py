#!/usr/bin/env python3
"""Drives the Vigil console in a real headless Chromium through Selenium.

Started by ConsoleBrowserTests (Swift) against a running `vigil serve`; exits non-zero with
a message on the first thing that is not as a team member would expect, and saves a
screenshot of every page it visits in --screenshots.
"""
import argparse
import json
import os
import shutil
import sys

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


def browser():
    # The driver is Debian's chromedriver: Selenium Manager must not try to download one.
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1100", "--lang=en-US", "--no-first-run"]:
        options.add_argument(argument)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


class Console:
    def __init__(self, driver, base, screenshots):
        self.driver = driver
        self.base = base
        self.screenshots = screenshots
        self.wait = WebDriverWait(driver, 10)

    def open(self, path):
        self.driver.get(self.base + path)

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(self.screenshots, name + ".png"))

    def text(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector).text

    def login(self, user, password):
        self.open("/console/login")
        self.driver.find_element(By.ID, "user").send_keys(user)
        self.driver.find_element(By.ID, "password").send_keys(password)
        self.driver.find_element(By.ID, "login").click()
        self.wait.until(expected_conditions.presence_of_element_located((By.ID, "who")))
        expect(user in self.text("#who"), f"signed in as {user}: the header says {self.text('#who')!r}")

    def logout(self):
        self.driver.find_element(By.CSS_SELECTOR, "form.who button").click()
        self.wait.until(expected_conditions.url_contains("/console/login"))

    def forge(self, path, fields):
        """Posts a form the page did not offer (as a script injected into the page could):
        returns the text of the answer."""
        self.driver.execute_script(
            """
            const [path, fields] = arguments;
            const form = document.createElement("form");
            form.method = "post";
            form.action = path;
            for (const [name, value] of Object.entries(fields)) {
              const input = document.createElement("input");
              input.type = "hidden"; input.name = name; input.value = value;
              form.appendChild(input);
            }
            document.body.appendChild(form);
            HTMLFormElement.prototype.submit.call(form);
            """, path, fields)
        self.wait.until(expected_conditions.url_contains(path))
        return self.driver.find_element(By.TAG_NAME, "body").text

    def held_section(self, name):
        for section in self.driver.find_elements(By.CSS_SELECTOR, "section.held"):
            if name in section.find_element(By.TAG_NAME, "h2").text:
                return section
        raise Failed(f"no held item for {name} on {self.driver.current_url}")

    def accept_confirmation(self):
        self.wait.until(expected_conditions.alert_is_present()).accept()

    def click_and_load(self, element, confirm=False):
        """Clicks a button that submits a form and waits for the next page to replace this one
        (reading at once could read the old page)."""
        old = self.driver.find_element(By.TAG_NAME, "main")
        element.click()
        if confirm:
            self.accept_confirmation()
        self.wait.until(expected_conditions.staleness_of(old))


def run(args):
    os.makedirs(args.screenshots, exist_ok=True)
    driver = browser()
    console = Console(driver, args.base, args.screenshots)
    summary = {}
    try:
        # Nothing without a session: the console sends a stranger to the login page.
        console.open("/console/held")
        expect(driver.current_url.endswith("/console/login"), f"a stranger reached {driver.current_url}")
        expect(args.approve not in driver.page_source, "the login page shows personal data")
        console.shot("01-login")

        console.login(args.operator, args.password)
        row = driver.find_element(By.ID, "source-" + args.failing)
        expect("failing" in row.get_attribute("class") and "failing" in row.text,
               f"the overview does not show source {args.failing} failing: {row.text!r}")
        summary["heldWaiting"] = console.text("#held-waiting")
        console.shot("02-overview")

        console.open("/console/people")
        driver.find_element(By.ID, "q").send_keys(args.cyrillic)
        console.click_and_load(driver.find_element(By.ID, "search"))
        link = driver.find_element(By.LINK_TEXT, args.approve)
        console.shot("03-people-search")
        console.click_and_load(link)
        expect(console.text("#person-name") == args.approve, f"person page: {console.text('#person-name')!r}")
        console.shot("04-person")

        console.open("/console/held")
        console.shot("05-held")
        console.click_and_load(
            console.held_section(args.approve).find_element(By.CSS_SELECTOR, "button.approve"), confirm=True)
        flash = console.text("p.flash")
        expect(flash.startswith("Approved"), f"after approving: {flash!r}")
        summary["approved"] = flash

        section = console.held_section(args.reject)
        section.find_element(By.NAME, "reason").send_keys(args.reason)
        console.click_and_load(section.find_element(By.CSS_SELECTOR, "button.reject"))
        flash = console.text("p.flash")
        expect(flash.startswith("Rejected"), f"after rejecting: {flash!r}")
        summary["rejected"] = flash
        console.shot("06-held-after-decisions")

        console.open("/console/outbox")
        console.shot("07-outbox")
        console.open("/console/events?kind=changed")
        expect(args.approve in driver.page_source, "the events page lists the release")
        console.shot("08-events")
        console.open("/console/preview")
        console.click_and_load(driver.find_element(By.ID, "route"))
        expect(driver.find_elements(By.ID, "routed"), "the preview routed nothing")
        console.shot("09-preview")

        # A post without the session's CSRF token is refused, even from the console's own page.
        console.open("/console/held")
        answer = console.forge(f"/console/held/{args.viewer_item}/approve", {})
        expect("form expired" in answer, f"a post without the CSRF token was answered {answer!r}")
        summary["postWithoutCSRF"] = answer
        console.shot("10-post-without-csrf")
        console.open("/console/held")
        console.logout()

        # A viewer reads the queue but gets no decision buttons, and a forged decision is refused.
        console.login(args.viewer, args.password)
        console.open("/console/held")
        console.held_section(args.keep)
        expect(not driver.find_elements(By.CSS_SELECTOR, "button.approve, button.reject"),
               "a viewer sees decision buttons")
        console.shot("11-held-as-viewer")
        csrf = driver.find_element(By.CSS_SELECTOR, "form.who input[name=csrf]").get_attribute("value")
        answer = console.forge(f"/console/held/{args.viewer_item}/approve", {"csrf": csrf})
        expect("cannot do this" in answer, f"a viewer's forged approval was answered {answer!r}")
        summary["viewerForgedApprove"] = answer
        console.open("/console/held")
        # Readable on a phone: the held page fits a 390-pixel-wide window without sideways scrolling.
        driver.set_window_size(390, 844)
        console.open("/console/held")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        expect(width <= 400, f"the held page is {width} px wide on a phone")
        console.shot("12-held-on-a-phone")
    except (Failed, NoSuchElementException) as failure:
        console.shot("failure")
        print(f"FAILED at {driver.current_url}: {failure}", file=sys.stderr)
        return 1
    finally:
        driver.quit()
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--operator", required=True)
    parser.add_argument("--viewer", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--failing", required=True, help="a source id the overview must show failing")
    parser.add_argument("--cyrillic", required=True, help="a Cyrillic spelling that finds --approve")
    parser.add_argument("--approve", required=True, help="the name of the person to approve")
    parser.add_argument("--reject", required=True, help="the name of the person to reject")
    parser.add_argument("--reason", required=True)
    parser.add_argument("--keep", required=True, help="the name of a person left held (for the viewer)")
    parser.add_argument("--viewer-item", required=True, help="the held id of --keep")
    parser.add_argument("--screenshots", required=True)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())

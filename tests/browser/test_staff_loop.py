"""The whole staff loop of issue 12 in a real browser, with e-mails arriving at a real SMTP server.

A secretariat made by the README's "First admin user" commands and a government focal point log
in through /admin/login/; the focal point reports progress on two recommendations (one with a
public PDF), the secretariat approves the first from its inbox and returns the second with a
reason; the focal point reads the reason, corrects and resubmits; the public recommendation page,
the dashboard and the Atom feed show the approved update only. Screenshots of the key pages are
saved at 1280 and 390 px under test-results/screenshots/loop-*.png.

Clicks, counted from the admin home right after logging in (the "Log in" press is not counted);
"clicks" are presses of links, buttons, checkboxes and the file chooser; typing text, choosing a
status and editing the date are counted apart as "fields":

Focal point, login → a submitted report
    before (an estimate: the path the admin offered before the focal point's home existed, no
    file possible then): Progress updates → Add progress update → open the recommendation picker
    → type a code → pick it among look-alike codes → status, summary, date → Save: 5 clicks,
    4 fields (the code search included).
    after (measured below, `focal_clicks`): Report progress → Save: 2 clicks, 3 fields
    (status, summary, date); with an evidence file +2 clicks (Choose file, tick Public) and 1
    field (its title): 4 clicks.

Secretariat, login → an approval
    before (from the issue): Progress updates → filter "Submitted" → tick the row → choose the
    "Approve" action → Go: about 5 clicks, without seeing the recommendation's text.
    after (measured below, `approval_clicks`): the update in the inbox → Approve: 2 clicks; the
    page then opens the next update awaiting review, so each further approval is 1 click.
"""

import datetime
import io
import re
import shlex
from pathlib import Path

import feedparser
import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from tracker import roles
from tracker.models import ProgressUpdate, Recommendation

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

README = Path(__file__).resolve().parents[2] / "README.md"
# The seed actor named as responsible by seed recommendations (belgium, the README's example,
# is named by none, so its focal point would have nothing to report on).
FOCAL_ACTOR = "governments"
FOCAL_EMAIL = "maria@example.org"


def small_pdf(text):
    """A real one-page PDF (with a cross-reference table) showing `text`, as bytes."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def readme_first_admin_commands():
    """The manage.py commands of the README's "First admin user" section, as argument lists."""
    text = README.read_text()
    section = text[text.index("## First admin user") :]
    section = section[: section.index("\n## ", 3)]
    commands = []
    for line in section.splitlines():
        if "manage.py" in line:
            words = shlex.split(line)
            commands.append(words[words.index("manage.py") + 1 :])
    return commands


def run_command(arguments):
    """Run a manage.py command in-process; returns what it printed."""
    out = io.StringIO()
    call_command(*arguments, stdout=out)
    return out.getvalue()


def printed_password(output):
    match = re.search(r"Password \(shown once\): (\S+)", output)
    assert match, output
    return match.group(1)


class Clicks:
    """Clicks of one person, counted: `clicks(locator)` clicks it and counts one."""

    def __init__(self):
        self.count = 0
        self.fields = 0

    def __call__(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, value):
        self.fields += 1
        locator.fill(value)

    def select(self, locator, label):
        self.fields += 1
        locator.select_option(label=label)


@pytest.fixture
def groups(transactional_db):
    """The role groups: a migration creates them, and transactional tests flush them; bring them back."""
    roles.ensure_groups()


@pytest.fixture
def new_page(browser):
    """new_page(): a page in a fresh browser context (its own cookies) at 1280 px; all closed at the end."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="en-GB", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, base, username, password):
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/admin/")


def fetch(page, url):
    """GET `url` with the cookies of `page`'s context. "Connection: close", so that no idle
    keep-alive connection keeps a live-server thread (and its database session) open."""
    return page.request.get(url, headers={"Connection": "close"})


def success_message(page):
    return page.locator("ul.messagelist")


def only_message(smtp, count_before):
    """The one e-mail that arrived since the inbox held `count_before`: (recipients, message)."""
    arrived = smtp.messages[count_before:]
    assert len(arrived) == 1, [(rcpts, message["Subject"]) for rcpts, message in arrived]
    return arrived[0]


def report_progress(page, clicks, recommendation, *, status, summary, reported_on, pdf=None, shot=None):
    """From the focal point's admin home: Report progress on `recommendation`, fill the form and save."""
    row = page.locator("#my-recommendations tbody tr", has_text=recommendation.code)
    clicks(row.get_by_role("link", name="Report progress"))
    expect(page.get_by_role("heading", name="Add progress update")).to_be_visible()
    # Prefilled: the recommendation (named "code — first words") and the focal point's actor.
    expect(page.locator("#id_recommendation option:checked")).to_have_text(re.compile(rf"^{recommendation.code} — "))
    expect(page.get_by_label("Reporting actor:")).to_have_value(str(recommendation.actors.get().pk))
    clicks.select(page.get_by_label("Status:"), status)
    clicks.fill(page.get_by_label("Summary:"), summary)
    clicks.fill(page.get_by_label("Reported on:"), reported_on.isoformat())
    if pdf is not None:
        name, content = pdf
        files = page.locator("#files-group")
        expect(files.get_by_role("heading", name="Evidence files")).to_be_visible()
        clicks.count += 1  # "Choose file" opens the chooser: one click
        files.locator("input[type=file]").first.set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": content}
        )
        clicks.fill(files.locator("input[name='files-0-title']"), "Decree on remittances (PDF)")
        clicks(files.locator("input[name='files-0-is_public']"))
        expect(files.locator("input[name='files-0-is_public']")).to_be_checked()
        if shot:
            shot(page, "loop-update-form-with-file")
    clicks(page.get_by_role("button", name="Save", exact=True))
    expect(success_message(page)).to_contain_text(
        f"Submitted: {recommendation.code} waits for the secretariat's approval"
    )


def test_the_staff_loop_from_the_readme_to_the_public_page(live_server, seeded, groups, smtp, new_page, screenshot):
    base = live_server.url
    today = timezone.localdate()

    # 1. The secretariat, made exactly as the README says.
    commands = readme_first_admin_commands()
    secretariat_command = next(words for words in commands if words[0] == "create_secretariat")
    assert "--generate-password" in secretariat_command
    secretariat_name = secretariat_command[1]
    secretariat_email = secretariat_command[secretariat_command.index("--email") + 1]
    secretariat_password = printed_password(run_command(secretariat_command))
    # The focal point: the README's command for an actor that seed recommendations name.
    focal_command = next(words for words in commands if words[0] == "create_focal_point")
    focal_command[focal_command.index("--actor") + 1] = FOCAL_ACTOR
    focal_command[focal_command.index("--email") + 1] = FOCAL_EMAIL
    focal_name = focal_command[1]
    focal_password = printed_password(run_command(focal_command))

    first, second = Recommendation.objects.filter(actors__slug=FOCAL_ACTOR).order_by("code")
    assert not ProgressUpdate.objects.filter(recommendation__in=[first, second]).exists()

    secretariat = new_page()
    log_in(secretariat, base, secretariat_name, secretariat_password)
    expect(secretariat.locator("#inbox").get_by_role("heading")).to_have_text("0 updates await your review")
    expect(secretariat.locator("#my-recommendations")).to_have_count(0)

    # 2. The focal point reports on the first recommendation, with a public PDF.
    focal = new_page()
    log_in(focal, base, focal_name, focal_password)
    expect(focal.locator("#inbox")).to_have_count(0)  # nothing returned: no "0 updates returned" banner
    home = focal.locator("#my-recommendations")
    expect(home).to_contain_text("Governments: 2 recommendations to report on")
    expect(home.locator("tbody tr")).to_have_count(2)
    expect(home).to_contain_text(f"{first.code} — ")
    expect(home.get_by_text("Not reported yet")).to_have_count(2)
    screenshot(focal, "loop-admin-home-focal-point")
    focal_clicks = Clicks()
    pdf = small_pdf("Decree 2026-14 on remittance costs")
    first_summary = "Decree 2026-14 caps remittance fees at 3 per cent; the law is in force."
    report_progress(
        focal,
        focal_clicks,
        first,
        status="In progress",
        summary=first_summary,
        reported_on=today - datetime.timedelta(days=3),
        pdf=("decree-2026-14.pdf", pdf),
        shot=screenshot,
    )
    assert (focal_clicks.count, focal_clicks.fields) == (4, 4)  # the docstring's "after", with a file
    submitted = ProgressUpdate.objects.get(recommendation=first)
    assert submitted.review_state == ProgressUpdate.ReviewState.SUBMITTED
    evidence = submitted.files.get()
    assert evidence.is_public and evidence.content_type == "application/pdf"
    rcpts, message = only_message(smtp, 0)
    assert rcpts == [secretariat_email]
    assert message["Subject"] == f"[Tracker] {first.code}: progress reported by Governments, waiting for review"
    body = message.get_content()
    assert "Governments reported progress on " + first.code in body
    assert first_summary in body and "Proposed status: In progress" in body
    assert f"/admin/tracker/progressupdate/{submitted.pk}/" in body

    # 3. A second report, on the other recommendation (no file): 2 clicks from the home.
    focal.get_by_role("link", name="Home").first.click()
    second_clicks = Clicks()
    second_summary = "A bill on recruitment fees is drafted."
    report_progress(
        focal,
        second_clicks,
        second,
        status="Partially implemented",
        summary=second_summary,
        reported_on=today,
    )
    assert (second_clicks.count, second_clicks.fields) == (2, 3)
    returned = ProgressUpdate.objects.get(recommendation=second)
    rcpts, message = only_message(smtp, 1)
    assert rcpts == [secretariat_email] and second.code in message["Subject"]
    assert second_summary in message.get_content()

    # 4. The secretariat: the inbox, the review page, Approve in one click.
    secretariat.reload()
    inbox = secretariat.locator("#inbox")
    expect(inbox.get_by_role("heading")).to_have_text("2 updates await your review")
    oldest = inbox.locator("li").first  # oldest first, named "code — first words"
    expect(oldest.get_by_role("link")).to_have_text(first.label)
    expect(oldest).to_contain_text("Governments: In progress, recorded ")
    screenshot(secretariat, "loop-admin-home-secretariat")
    approval_clicks = Clicks()
    approval_clicks(inbox.get_by_role("link", name=first.code))
    expect(secretariat.get_by_role("heading", level=1, name=f"Review {first.code}")).to_be_visible()
    review = secretariat.locator(".review")
    expect(review).to_contain_text(first.text)
    expect(review).to_contain_text("Current status: No information")
    expect(review).to_contain_text("No approved assessment yet.")
    expect(review.locator("dd").first).to_have_text("In progress")
    expect(review).to_contain_text(first_summary)
    expect(review).to_contain_text("Governments")
    file_link = review.get_by_role("link", name="Decree on remittances (PDF)")
    expect(file_link).to_be_visible()
    expect(review).to_contain_text("public once approved")
    public_file_url = base + file_link.get_attribute("href")
    staff_file = fetch(secretariat, public_file_url)
    assert staff_file.status == 200 and staff_file.body() == pdf
    screenshot(secretariat, "loop-review-page")
    approval_clicks(secretariat.get_by_role("button", name="Approve"))
    expect(success_message(secretariat)).to_contain_text(f"Approved the update on {first.code}: it is now public.")
    assert approval_clicks.count == 2  # the docstring's "after"
    submitted.refresh_from_db()
    assert submitted.review_state == ProgressUpdate.ReviewState.APPROVED
    rcpts, message = only_message(smtp, 2)
    assert rcpts == [FOCAL_EMAIL]
    assert message["Subject"] == f"[Tracker] {first.code}: your progress update was approved"
    body = message.get_content()
    assert f"The secretariat approved your progress update on {first.code}. It is now public." in body
    assert f"Public page: {first.get_absolute_url()}" in body.replace("http://127.0.0.1:8000", "")

    # The next update awaiting review opens by itself: return it, first without a reason.
    expect(secretariat.get_by_role("heading", level=1, name=f"Review {second.code}")).to_be_visible()
    expect(secretariat.locator(".review")).to_contain_text("1 update awaits review.")
    secretariat.get_by_role("button", name="Return with this reason").click()
    expect(secretariat.locator(".errorlist")).to_contain_text("Say why you return it")
    returned.refresh_from_db()
    assert returned.review_state == ProgressUpdate.ReviewState.SUBMITTED
    assert len(smtp.messages) == 3
    reason = "Which decree? Give its number and the date it came into force."
    secretariat.get_by_label("Reason for returning it").fill(reason)
    secretariat.get_by_role("button", name="Return with this reason").click()
    expect(success_message(secretariat)).to_contain_text(
        f"Returned the update on {second.code} to Governments with your reason."
    )
    returned.refresh_from_db()
    assert (returned.review_state, returned.review_note) == (ProgressUpdate.ReviewState.RETURNED, reason)
    reviewed_on = date_format(timezone.localtime(returned.reviewed_at), "j M Y")
    rcpts, message = only_message(smtp, 3)
    assert rcpts == [FOCAL_EMAIL]
    assert message["Subject"] == f"[Tracker] {second.code}: your progress update was returned for revision"
    assert f"Reason: {reason}" in message.get_content()

    # 5. The focal point sees the reason on its home, corrects and resubmits.
    focal.get_by_role("link", name="Home").first.click()
    inbox = focal.locator("#inbox")
    expect(inbox.get_by_role("heading")).to_have_text("1 update was returned to you for revision")
    expect(inbox).to_contain_text(reason)
    expect(focal.locator("#my-recommendations tbody tr", has_text=second.code)).to_contain_text("Returned for revision")
    expect(focal.locator("#my-recommendations tbody tr", has_text=first.code)).to_contain_text("Approved")
    inbox.get_by_role("link", name=second.label).click()
    # The reason opens the form, where the correcting starts; the review note below keeps it too.
    note = focal.locator("#returned-note")
    expect(note).to_contain_text(f"{secretariat_name} returned it on {reviewed_on} with this reason:")
    expect(focal.locator("#returned-note blockquote")).to_have_text(reason)
    expect(focal.locator(".field-review_note")).to_contain_text(reason)
    screenshot(focal, "loop-returned-update-focal-point")
    corrected = "Decree 2026-21 on recruitment fees was adopted on 2 November 2026."
    focal.get_by_label("Summary:").fill(corrected)
    focal.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(focal)).to_contain_text(f"Submitted: {second.code} waits for the secretariat's approval")
    returned.refresh_from_db()
    assert (returned.review_state, returned.summary) == (ProgressUpdate.ReviewState.SUBMITTED, corrected)
    rcpts, message = only_message(smtp, 4)
    assert rcpts == [secretariat_email]
    assert message["Subject"] == f"[Tracker] {second.code}: progress reported by Governments, waiting for review"
    assert corrected in message.get_content()
    secretariat.goto(f"{base}/admin/")
    expect(secretariat.locator("#inbox").get_by_role("heading")).to_have_text("1 update awaits your review")

    # 6. The public side, anonymous: only the approved update, and its public PDF.
    public = new_page()
    public.goto(base + first.get_absolute_url())
    expect(public.locator("main")).to_contain_text(first_summary)
    pdf_link = public.get_by_role("link", name="Decree on remittances (PDF)")
    expect(pdf_link).to_be_visible()
    screenshot(public, "loop-public-recommendation")
    download = fetch(public, base + pdf_link.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.body() == pdf
    public.goto(base + second.get_absolute_url())
    expect(public.locator("main")).not_to_contain_text(corrected)
    expect(public.locator("main")).not_to_contain_text(second_summary)
    public.goto(base + "/")
    recent = public.locator("ol.updates")
    expect(recent).to_contain_text(first.code)
    expect(recent).to_contain_text(first_summary)
    expect(recent).not_to_contain_text(second.code)
    feed_response = fetch(public, base + "/feeds/updates/")
    assert feed_response.status == 200
    feed = feedparser.parse(feed_response.body())
    titles = [entry.title for entry in feed.entries]
    assert f"{first.code}: In progress, reported by Governments" in titles
    assert not [title for title in titles if second.code in title]
    assert not [entry for entry in feed.entries if corrected in entry.summary or second_summary in entry.summary]
    # Nothing else was sent along the way.
    assert len(smtp.messages) == 5


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_staff_pages_fit_a_phone_and_the_update_list_fits_1280_px(live_server, seeded, groups, new_page, screenshot):
    base = live_server.url
    focal_password = printed_password(
        run_command(["create_focal_point", "maria", "--actor", FOCAL_ACTOR, "--generate-password"])
    )
    secretariat_password = printed_password(run_command(["create_secretariat", "sofia", "--generate-password"]))
    recommendation = Recommendation.objects.filter(actors__slug=FOCAL_ACTOR).order_by("code").first()

    focal = new_page(PHONE)
    log_in(focal, base, "maria", focal_password)
    expect(focal.locator("#my-recommendations")).to_be_visible()
    assert scroll_width(focal) <= PHONE["width"] + 1
    focal.locator("#my-recommendations tbody tr", has_text=recommendation.code).get_by_role(
        "link", name="Report progress"
    ).click()
    # The evidence files inline fits the phone: the Public box is on screen, not behind a scroll.
    inline = focal.locator("#files-group .inline-related")
    expect(inline).to_be_visible()
    assert focal.locator("#files-group").evaluate("box => box.scrollWidth <= box.clientWidth")
    public_box = focal.locator("input[name='files-0-is_public']").bounding_box()
    assert public_box["x"] + public_box["width"] <= PHONE["width"], public_box
    assert scroll_width(focal) <= PHONE["width"] + 1
    focal.get_by_label("Status:").select_option(label="Stalled")
    focal.get_by_label("Summary:").fill("The budget line was cut; nothing moved this year.")
    focal.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(focal)).to_contain_text("waits for the secretariat's approval")
    update = ProgressUpdate.objects.get(recommendation=recommendation)

    secretariat = new_page(PHONE)
    log_in(secretariat, base, "sofia", secretariat_password)
    secretariat.goto(f"{base}/admin/tracker/progressupdate/{update.pk}/review/")
    expect(secretariat.get_by_role("button", name="Approve")).to_be_visible()
    assert scroll_width(secretariat) <= PHONE["width"] + 1

    secretariat.set_viewport_size(DESKTOP)
    secretariat.goto(f"{base}/admin/tracker/progressupdate/")
    row = secretariat.locator("#result_list tbody tr", has_text=recommendation.code)
    expect(row).to_be_visible()
    for column in ("review_state", "recorded_by", "recorded_at"):
        cell = row.locator(f"td.field-{column}")
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= DESKTOP["width"], (column, box)
    expect(row.locator("td.field-review_state")).to_have_text("Submitted")
    expect(row.locator("td.field-recorded_by")).to_have_text("maria")
    screenshot(secretariat, "loop-progress-update-list")
    # Not hidden behind a sideways scroll of the table's own box either.
    results = secretariat.locator("#changelist .results")
    overflow = results.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert overflow[0] <= overflow[1], overflow
    visible_right = results.bounding_box()["x"] + results.bounding_box()["width"]
    for column in ("review_state", "recorded_by", "recorded_at", "review_link"):
        box = row.locator(f"td.field-{column}").bounding_box()
        assert box["x"] + box["width"] <= visible_right, (column, box, visible_right)
    assert scroll_width(secretariat) <= DESKTOP["width"]

"""The site menu, built in one place for every page.

The header holds a few sections (Home, Learning, Surveys, People, Settings, Your account) so it fits
one row at 1280 px for every role; a section with more than one page shows its pages as
sub-navigation under the header. Each page belongs to the section (and sub-page) whose URL names
claim its view, so a deep page (a lesson, a wave's results) marks its section as current without
repeating it. Which items a user sees follows `organisation.roles`; the views still decide access.

It lives in config/ because it names pages of several apps (by URL name only: no imports).
"""

from dataclasses import dataclass, field

from django.urls import reverse

from organisation import roles


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    # View names (namespace:name) that count as this page, besides url_name itself.
    claims: tuple[str, ...] = ()
    # Who sees it: None for every signed-in user, otherwise a role name from _role_flags.
    role: str | None = None

    def owns(self, view_name: str) -> bool:
        return view_name == self.url_name or view_name in self.claims


@dataclass(frozen=True)
class Section:
    label: str
    pages: tuple[Page, ...] = field(default_factory=tuple)


SECTIONS = (
    Section("Home", (Page("Home", "home"),)),
    Section("Readiness", (
        Page("By department", "adoption:readiness", ("adoption:readiness_department",), role="manager_or_hr"),
        Page("Reports", "adoption:reports", (
            "adoption:report", "adoption:report_progress", "adoption:report_download", "adoption:report_retry",
        ), role="manager_or_hr"),
        Page("Scheduled reports", "adoption:report_schedules", (
            "adoption:report_schedule_new", "adoption:report_schedule", "adoption:report_schedule_delete",
        ), role="hr"),
    )),
    Section("Learning", (
        Page("My learning", "courses:learning_home", (
            "courses:learning_module", "courses:learning_confidence_before", "courses:learning_confidence_after",
            "courses:learning_lesson", "courses:learning_check", "courses:certificate", "courses:certificate_pdf",
        )),
        Page("Team progress", "courses:team", ("courses:team_export", "adoption:team_remind"), role="manager_or_hr"),
        Page("Assignments", "courses:assignments", (
            "courses:assign", "courses:assignment", "courses:assignment_progress", "courses:assignment_withdraw",
            "courses:assignment_retry",
        ), role="manager_or_hr"),
        Page("Authoring", "courses:authoring", (
            "courses:authoring_module", "courses:authoring_publish", "courses:authoring_unpublish",
            "courses:authoring_preview",
        ), role="author"),
    )),
    Section("Surveys", (
        Page("Surveys to answer", "surveys:my_surveys", ("surveys:answer", "surveys:answer_thanks")),
        Page("Survey results", "surveys:results_list", (
            "surveys:results", "surveys:results_csv", "surveys:results_xlsx", "surveys:comments",
            "surveys:comment_hide", "surveys:named_answers",
        ), role="manager_or_hr"),
        Page("Run surveys", "surveys:manage", (
            "surveys:survey_new", "surveys:survey", "surveys:survey_settings", "surveys:survey_copy",
            "surveys:survey_delete", "surveys:wave_new", "surveys:wave_edit", "surveys:wave_cancel",
            "surveys:wave_open", "surveys:wave_close", "surveys:survey_preview", "surveys:section_new",
            "surveys:section_edit", "surveys:section_remove", "surveys:section_move", "surveys:question_new",
            "surveys:question_edit", "surveys:question_remove", "surveys:question_move",
        ), role="hr"),
    )),
    Section("People", (
        Page("Departments", "organisation:departments", (
            "organisation:department", "adoption:staff", "organisation:sign_in_slips",
        ), role="manager_or_hr"),
        Page("Import staff", "organisation:import", (
            "organisation:import_detail", "organisation:import_confirm", "organisation:import_progress",
        ), role="hr"),
    )),
    Section("Settings", (
        Page("Council settings", "organisation:settings", (
            "organisation:settings_branding", "organisation:settings_thresholds", "organisation:settings_sign_in",
            "organisation:settings_values", "organisation:value_new", "organisation:value_edit",
            "organisation:value_remove", "organisation:value_move",
        ), role="admin"),
        Page("Readiness weights", "adoption:weights", role="admin"),
        Page("Nudge settings", "adoption:nudge_settings", role="hr"),
        Page("Reminders sent", "adoption:outbox", ("adoption:outbox_resend",), role="hr"),
        Page("Audit log", "organisation:audit", role="admin"),
    )),
    Section("Your account", (
        Page("Password and security", "account_change_password", (
            "account_set_password", "account_reauthenticate", "mfa_index", "mfa_activate_totp",
            "mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes",
            "mfa_download_recovery_codes", "mfa_reauthenticate", "socialaccount_connections",
        )),
        Page("Your notifications", "adoption:notifications"),
    )),
)


def _role_flags(user) -> dict[str, bool]:
    hr = roles.is_hr(user)
    return {
        "hr": hr,
        "admin": roles.is_admin(user),
        "author": roles.is_author(user),
        "manager_or_hr": hr or roles.is_manager(user),
    }


def menu_for(user, view_name: str = "", path: str = "") -> list[dict]:
    """The sections this user sees, each with its visible pages, href, and which is current.

    `current` is "page" when the page itself is shown, "true" when a page inside it is (for
    aria-current), or "" otherwise.
    """
    if not user.is_authenticated:
        return []
    flags = _role_flags(user)
    menu = []
    for section in SECTIONS:
        pages = []
        for page in section.pages:
            if page.role is not None and not flags[page.role]:
                continue
            href = reverse(page.url_name)
            current = "page" if path == href else ("true" if page.owns(view_name) else "")
            pages.append({"label": page.label, "href": href, "current": current})
        if not pages:
            continue
        current = next((p["current"] for p in pages if p["current"]), "")
        if current == "page" and path != pages[0]["href"]:
            current = "true"  # the section's link goes to its first page, not this one
        menu.append({"label": section.label, "href": pages[0]["href"], "current": current, "pages": pages})
    return menu


def menu(request):
    """Context processor: `menu` (the sections) and `subnav` (the current section, when it has more
    than one page to show)."""
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    user = getattr(request, "user", None)
    sections = menu_for(user, view_name, request.path) if user is not None else []
    current = next((s for s in sections if s["current"]), None)
    return {"menu": sections, "subnav": current if current and len(current["pages"]) > 1 else None}

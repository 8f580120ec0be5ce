"""Every write of the member registry. Pages, API, CLI, tasks, the roster importer and other apps
call these functions (keyword-only, `actor` first-class, one transaction each, audited)."""

from gonghui.members.services.applications import (
    appeal_union,
    application_appeal,
    application_approve,
    application_reject,
    application_submit,
    application_withdraw,
)
from gonghui.members.services.lapse import (
    lapse_check,
    lapse_clear,
    lapse_confirm,
    lapse_contact_record,
)
from gonghui.members.services.memberships import (
    id_number_reveal,
    member_add,
    member_update,
    membership_set_status,
    membership_touch,
    phone_reveal,
)
from gonghui.members.services.portal import portal_register
from gonghui.members.services.transfers import (
    transfer_accept,
    transfer_cancel,
    transfer_decline,
    transfer_request,
    transfer_start,
)

__all__ = [
    "appeal_union", "application_appeal", "application_approve", "application_reject", "application_submit", "application_withdraw",
    "id_number_reveal", "lapse_check", "lapse_clear", "lapse_confirm", "lapse_contact_record",
    "member_add", "member_update", "membership_set_status", "membership_touch", "phone_reveal", "portal_register",
    "transfer_accept", "transfer_cancel", "transfer_decline", "transfer_request",
    "transfer_start",
]

"""What a browser sends with the admin's progress update form besides its fields: the management
form of its (empty) evidence-file inline."""

EMPTY_EVIDENCE_FORMSET = {
    "files-TOTAL_FORMS": "0",
    "files-INITIAL_FORMS": "0",
    "files-MIN_NUM_FORMS": "0",
    "files-MAX_NUM_FORMS": "1000",
}

"""The owner return sheet: a workbook an owner (or the lead, for a list of owners) fills in away from the tracker.

`sheet.build` writes one row an action: ref, action, latest update, an empty "This update" column, a RAG
drop-down, and the action's version and id in hidden, locked columns. `reading.read` checks an uploaded copy
(the import guard first) and sorts its rows into updates to add, conflicts (the action changed since the
download: the typed text is kept and offered again), refusals and mistakes, each with its sheet and row.
`reading.apply` adds what the person confirmed on the check page, in the owner's name, version-checked.
"""

SHEET = "Return"
HEADERS = ["Plan", "Ref", "Owner", "Action", "Latest update", "This update", "RAG", "Version", "Id", "Owner id"]
RAGS = ["Red", "Amber", "Green", "Blue"]

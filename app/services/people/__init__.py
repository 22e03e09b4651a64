"""People: contacts without an account who own actions, and partner organisations named on actions."""

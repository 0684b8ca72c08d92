"""The lesson pages' Python: DOM glue only.  All numbers come from `engine`."""

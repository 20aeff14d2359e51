"""Protocol rules that decide when a school must act on absence."""

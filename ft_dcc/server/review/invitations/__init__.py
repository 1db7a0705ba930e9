"""The links a caller is handed (``get_widget_url``) and an invitee's invitation e-mail."""

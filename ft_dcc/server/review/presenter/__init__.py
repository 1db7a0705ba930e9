"""Presenter mode and the live stream: who leads, who watches, a session's ``/live``."""

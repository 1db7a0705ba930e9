"""The JSON API routes: ``/api`` batches and their actions, component files, widget pages."""

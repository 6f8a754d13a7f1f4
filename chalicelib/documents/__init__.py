"""Documents the patient sends before the consultation: from the cabinet or by email."""

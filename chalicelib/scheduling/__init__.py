"""Doctors' schedules: weekly hours in the clinic's zone, materialized as slots."""

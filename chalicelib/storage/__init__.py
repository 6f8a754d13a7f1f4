"""DynamoDB storage: the table definitions and the repositories that use them.

AWS errors become domain errors here; nothing in this package knows HTTP.
"""

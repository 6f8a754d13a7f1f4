"""The Chalice app: a table of contents. Each blueprint lives in `chalicelib.routes`."""
from chalice import Chalice, Rate

from chalicelib.config import settings
from chalicelib.routes import auth, bookings, catalog, legal, payments, registry, system
from chalicelib.web import middleware

app = Chalice(app_name="telemed")
app.api.binary_types.extend(["application/pdf", "application/octet-stream"])
middleware.install(app)

app.register_blueprint(system.bp)
app.register_blueprint(auth.bp)
app.register_blueprint(registry.bp)
app.register_blueprint(legal.bp)
app.register_blueprint(catalog.bp)
app.register_blueprint(bookings.bp)
app.register_blueprint(payments.bp)



@app.schedule(Rate(1, unit=Rate.DAYS))
def roll_schedules(event: object) -> int:
    """Keep every doctor's 8-week window of slots full."""
    from chalicelib.catalog import extend_all_schedules

    return extend_all_schedules()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def deliver_mail(event: object) -> int:
    """Send the emails whose first try failed."""
    from chalicelib.outbox import deliver_due

    return deliver_due()


if settings().is_local:
    from chalicelib.routes import dev

    app.register_blueprint(dev.bp)

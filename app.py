"""The Chalice app: a table of contents. Each blueprint lives in `chalicelib.routes`."""
from chalice import Chalice

from chalicelib.config import settings
from chalicelib.routes import auth, registry, system
from chalicelib.web import middleware

app = Chalice(app_name="telemed")
app.api.binary_types.extend(["application/pdf", "application/octet-stream"])
middleware.install(app)

app.register_blueprint(system.bp)
app.register_blueprint(auth.bp)
app.register_blueprint(registry.bp)

if settings().is_local:
    from chalicelib.routes import dev

    app.register_blueprint(dev.bp)

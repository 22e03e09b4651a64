"""The application factory: configuration, extensions, templates, blueprints, errors and CLI. Wiring only."""

import importlib.util
import os
import sys

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.utils import import_string

from app.extensions import csrf, db, limiter, login_manager


def create_app(config_object: object | str | None = None) -> Flask:
    config_object = config_object or _default_config()
    if isinstance(config_object, str):
        config_object = import_string(config_object)
    if hasattr(config_object, "check"):
        config_object.check()  # ProductionConfig refuses to start half-configured
    instance_path = getattr(config_object, "INSTANCE_PATH", None)
    app = Flask(__name__, static_url_path="/assets", instance_relative_config=True, instance_path=instance_path)
    app.config.from_object(config_object)
    os.makedirs(app.instance_path, exist_ok=True)

    from app import secret_key

    secret_key.init_app(app)  # before anything signs a cookie: the operator's key, or one made in instance/

    _init_extensions(app)
    _init_jinja(app)
    _register_blueprints(app)

    from app import cli, errors, request_guards

    errors.init_app(app)
    request_guards.init_app(app)
    cli.init_app(app)
    return app


def _default_config() -> str:
    return "config.ProductionConfig" if os.environ.get("FLASK_CONFIG") == "production" else "config.Config"


def _init_extensions(app: Flask) -> None:
    # openpyxl only guards against XML entity bombs when defusedxml is importable (openpyxl.DEFUSEDXML says
    # whether it found it); refuse to run without it. openpyxl loads only when a sheet is read, so unless
    # something loaded it already, defusedxml is looked up as openpyxl will look for it.
    openpyxl = sys.modules.get("openpyxl")
    if not (openpyxl.DEFUSEDXML if openpyxl else importlib.util.find_spec("defusedxml") is not None):
        raise RuntimeError("defusedxml is not installed: install requirements.txt before importing spreadsheets")

    from app import database

    db.init_app(app)
    database.init_app(app)
    from app import migrations

    migrations.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)


def _init_jinja(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from app import filters, form_fields

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("app"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.trim_blocks = True
    WTFormsHelpers(app)
    form_fields.init_app(app)
    filters.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.actions import bp as actions_bp
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.authoring import bp as authoring_bp
    from app.dashboard import bp as dashboard_bp
    from app.exports import bp as exports_bp
    from app.imports import bp as imports_bp
    from app.links import bp as links_bp
    from app.measures import bp as measures_bp
    from app.people import bp as people_bp
    from app.plans import bp as plans_bp
    from app.returns import bp as returns_bp
    from app.reviews import bp as reviews_bp
    from app.updates import bp as updates_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(updates_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(links_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(returns_bp)

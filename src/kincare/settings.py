"""kincare settings: one readable file, every knob from the environment with a safe default.

Embedded default (no environment): SQLite under ``var/``, Celery eager, DEBUG off with
localhost allowed. Production sets DATABASE_URL (PostgreSQL), REDIS_URL, KINCARE_SECRET_KEY,
KINCARE_PII_KEYS and KINCARE_ALLOWED_HOSTS.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from kincare.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(envstr("KINCARE_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = envbool("KINCARE_DEBUG", False)
TESTING = envbool("KINCARE_TESTING", False)
# DEMO says "this is a demonstration, no real money or real people": the sandbox payment
# provider (and its public default secret) and showing SMS codes on the page are allowed only
# then. On by default in tests and in the embedded default (no DATABASE_URL: SQLite).
DEMO = envbool("KINCARE_DEMO", TESTING or not (os.environ.get("DATABASE_URL") or os.environ.get("DATABASE_URL_FILE")))

# Development fallbacks are derived from a fixed label so that a fresh clone works; any
# deployment must set its own (the README says how to generate them).
_DEV_SECRET = "kincare-dev-insecure-" + hashlib.sha256(b"kincare-dev").hexdigest()
SECRET_KEY = envstr("KINCARE_SECRET_KEY", _DEV_SECRET)
# Field encryption keys for PII (Fernet, urlsafe base64 of 32 bytes). The first encrypts,
# all of them decrypt: prepend a new key to rotate, re-encrypt with `kincare pii rotate`.
PII_KEYS = envlist("KINCARE_PII_KEYS", ["bXlnbGZ1cG5ibXBpdXJrbHd5cWV0cXd2cGF1eHJ6ZGs="])
# Key for the keyed hash (HMAC-SHA256 "blind index") that allows exact lookups on encrypted
# columns. It does not rotate with PII_KEYS: changing it requires re-indexing.
PII_HASH_KEY = envstr("KINCARE_PII_HASH_KEY", "kincare-dev-pii-hash-key")

ALLOWED_HOSTS = envlist("KINCARE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("KINCARE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "kincare.core",
    "kincare.core.ledger",
    "kincare.core.payments",
    "kincare.accounts",
    "kincare.families",
    "kincare.catalog",
    "kincare.underwriting",
    "kincare.policies",
    "kincare.claims",
    "kincare.planning",
    "kincare.crowdfunding",
    "kincare.fhir",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kincare.core.middleware.RequestIdMiddleware",
    "kincare.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kincare.core.http_errors.ApiErrorMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kincare.urls"
WSGI_APPLICATION = "kincare.wsgi.application"
ASGI_APPLICATION = "kincare.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kincare.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("KINCARE_DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout make the embedded database usable by gunicorn's workers.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # One file per test process, so parallel runs on one checkout never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["kincare.accounts.backends.PhonePasswordBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "families:home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling (accounts/services/login.py). Per (account, client address): after
# LOGIN_MAX_FAILURES failures each further attempt waits LOGIN_DELAY_SECONDS, doubling up to
# LOGIN_LOCKOUT_SECONDS; the count is forgotten after LOGIN_LOCKOUT_SECONDS without failures.
# Ceilings that lock for LOGIN_LOCKOUT_SECONDS: one address, across accounts, within
# LOGIN_LOCKOUT_SECONDS; one account, across addresses, within LOGIN_ACCOUNT_WINDOW_SECONDS (far
# higher, so that a stranger cannot lock a family out of its own account).
LOGIN_MAX_FAILURES = envint("KINCARE_LOGIN_MAX_FAILURES", 5)
LOGIN_DELAY_SECONDS = envint("KINCARE_LOGIN_DELAY_SECONDS", 60)
LOGIN_LOCKOUT_SECONDS = envint("KINCARE_LOGIN_LOCKOUT_SECONDS", 15 * 60)
LOGIN_ADDRESS_MAX_FAILURES = envint("KINCARE_LOGIN_ADDRESS_MAX_FAILURES", 20)
LOGIN_ACCOUNT_MAX_FAILURES = envint("KINCARE_LOGIN_ACCOUNT_MAX_FAILURES", 100)
LOGIN_ACCOUNT_WINDOW_SECONDS = envint("KINCARE_LOGIN_ACCOUNT_WINDOW_SECONDS", 60 * 60)
# The client address is REMOTE_ADDR; X-Forwarded-For is read only when REMOTE_ADDR is one of
# these proxies (addresses or networks, e.g. "10.0.0.0/8,127.0.0.1").
TRUSTED_PROXIES = envlist("KINCARE_TRUSTED_PROXIES", [])
OTP_TTL_SECONDS = envint("KINCARE_OTP_TTL_SECONDS", 5 * 60)
OTP_RESEND_SECONDS = envint("KINCARE_OTP_RESEND_SECONDS", 60)
SMS_BACKEND = envstr("KINCARE_SMS_BACKEND", "kincare.accounts.sms.LogSmsBackend")

LANGUAGE_CODE = "zh-hans"
# Each language is named in itself, as language pickers do.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Identity and medical documents (claims, campaigns, reports) never live under MEDIA_ROOT, which a
# web server may serve: kincare.core.storage keeps them here and views stream them.
PRIVATE_MEDIA_ROOT = Path(envstr("KINCARE_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Security: safe defaults, relaxed only for the local HTTP server.
SECURE_HTTPS = envbool("KINCARE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_SSL_REDIRECT = envbool("KINCARE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 14 * 24 * 3600

REDIS_URL = envstr("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kincare_cache"}
    )
}

# Celery: Redis in production; eager (in-process) in the embedded default and in tests.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = envbool("KINCARE_CELERY_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULE = {
    "ledger-reconcile-nightly": {
        "task": "kincare.core.ledger.tasks.ledger_reconcile_task",
        "schedule": 24 * 3600,
    },
    "ledger-seal-public": {
        "task": "kincare.core.ledger.tasks.ledger_seal_task",
        "schedule": 60,
    },
    "accounts-purge-login-records": {
        "task": "kincare.accounts.tasks.login_records_purge_task",
        "schedule": 24 * 3600,
    },
    "payments-sandbox-deliver-due": {
        "task": "kincare.core.payments.tasks.sandbox_deliver_due_task",
        "schedule": 60,
    },
    "payments-refunds-settle": {
        "task": "kincare.core.payments.tasks.payment_refunds_settle_task",
        "schedule": 60,
    },
    "payments-purposes-retry": {
        "task": "kincare.core.payments.tasks.payment_purposes_retry_task",
        "schedule": 60,
    },
    "payments-expire-orders": {
        "task": "kincare.core.payments.tasks.payment_orders_expire_task",
        "schedule": 60,
    },
    "policies-renewal-reminders": {
        "task": "kincare.policies.tasks.policies_send_renewal_reminders_task",
        "schedule": 6 * 3600,
    },
    "policies-renewal-offers": {
        "task": "kincare.policies.tasks.policies_offer_renewals_task",
        "schedule": 6 * 3600,
    },
    "policies-instalment-offers": {
        "task": "kincare.policies.tasks.policies_offer_instalments_task",
        "schedule": 6 * 3600,
    },
    "policies-lapse-unpaid": {
        "task": "kincare.policies.tasks.policies_lapse_unpaid_task",
        "schedule": 5 * 60,
    },
    "policies-expire-due": {
        "task": "kincare.policies.tasks.policies_expire_due_task",
        "schedule": 10 * 60,
    },
    "crowdfunding-end-due": {
        "task": "kincare.crowdfunding.tasks.campaigns_end_due_task",
        "schedule": 5 * 60,
    },
    "planning-replan-all-nightly": {
        "task": "kincare.planning.tasks.replan_all_task",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Planning: the nightly re-planning of every family runs on this Dask scheduler (tcp://host:8786);
# empty: a LocalCluster on the Celery worker's machine.
PLANNING_DASK_SCHEDULER = envstr("KINCARE_DASK_SCHEDULER", "")
PLANNING_DASK_WORKERS = envint("KINCARE_DASK_WORKERS", 0)
# A LocalCluster's workers are processes; threads share this process's database settings (tests).
PLANNING_DASK_PROCESSES = envbool("KINCARE_DASK_PROCESSES", True)
# Planning: stored plans older than this are dropped by the nightly run (the newest always stays).
PLANNING_KEEP_DAYS = envint("KINCARE_PLANNING_KEEP_DAYS", 90)

# PRODUCTION turns insecure leftovers (the sandbox's public default secret) into errors.
PRODUCTION = envbool("KINCARE_PRODUCTION", False)
# The sandbox provider (a local stand-in for WeChat Pay / Alipay): on in the embedded demo.
PAYMENT_SANDBOX_ENABLED = envbool("KINCARE_PAYMENT_SANDBOX", True)
# Payments: the sandbox provider signs its notifications with this key.
PAYMENT_PROVIDERS = {
    "sandbox": {
        "class": "kincare.core.payments.sandbox.SandboxProvider",
        "secret": envstr("KINCARE_SANDBOX_PAY_SECRET", "kincare-sandbox-secret"),
    }
}
PAYMENT_DEFAULT_PROVIDER = envstr("KINCARE_PAYMENT_PROVIDER", "sandbox")
PAYMENT_ORDER_TTL_SECONDS = envint("KINCARE_PAYMENT_ORDER_TTL_SECONDS", 15 * 60)
# Claims: payouts above this need a second adjuster; the engine approves payouts up to the
# product's auto-approve limit (this default when the product names none) without a person.
CLAIMS_SECOND_APPROVAL_ABOVE_FEN = envint("KINCARE_CLAIMS_SECOND_APPROVAL_ABOVE_FEN", 5_000_000)
CLAIMS_AUTO_APPROVE_LIMIT_FEN = envint("KINCARE_CLAIMS_AUTO_APPROVE_LIMIT_FEN", 5_000_000)
# Claims: more than this many claims of one member in 90 days are flagged for an adjuster.
CLAIMS_FREQUENT_CLAIMS = envint("KINCARE_CLAIMS_FREQUENT_CLAIMS", 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # query strings can carry member ids and diagnoses: no handler ever writes one
    "filters": {"no_query_strings": {"()": "kincare.core.logfilters.StripQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query_strings"]}},
    "root": {"handlers": ["console"], "level": envstr("KINCARE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's request lines, through the filtered handler instead of Django's own
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

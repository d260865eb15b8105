"""Exceptions raised by the public API, named as callers of ansible-runner expect them."""


class AnsibleRunnerException(Exception):
    """Base of every error this package raises on purpose."""


class ConfigurationError(AnsibleRunnerException):
    """The job cannot be prepared from the settings given."""


class CallbackError(AnsibleRunnerException):
    """A callback supplied by the application raised."""

"""authlint: static checks for HTTP authentication and authorization mistakes."""

__version__ = "0.1.0"

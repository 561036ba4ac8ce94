"""Facts about a module that the rules read: denials, guards, contexts."""

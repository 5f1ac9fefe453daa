"""Core mechanisms: scope, audit, actions, rules, import/export, figures, notifications, UI base."""

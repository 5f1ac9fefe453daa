"""Web pages of tasks, one module per topic (plans and tasks, problems, lists)."""

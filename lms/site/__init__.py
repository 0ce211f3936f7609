"""The public skeleton of the site: home page, language switch, health check, error pages."""

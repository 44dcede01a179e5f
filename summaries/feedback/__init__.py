"""What readers send in: suggestions of what to assess, problems with a page."""

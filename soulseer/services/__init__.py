"""Domain services: the rules live here; views and jobs call them. Services never import `request`."""

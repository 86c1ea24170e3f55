"""The organisation domain's services: sign-in and actors, departments, staff, API keys,
notifications. Split by noun; import the functions from the submodules."""

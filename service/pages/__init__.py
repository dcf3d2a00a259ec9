"""The service's pages, one blueprint per area: mentor (/me), students, school (dashboard, export), scheme, imports."""

// Test helpers are added with the end-to-end tests.

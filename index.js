// n8n loads this package's nodes and credentials from the paths in package.json's "n8n" section.
module.exports = {};

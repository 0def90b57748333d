// placeholder entry replaced by the CLI module
console.log('ferry: under construction');

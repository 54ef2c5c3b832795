// validate.js DIR: validates an HSDS tabular data package (DIR/datapackage.json
// and its CSV tables) the way Open Referral's validator does: the descriptor
// with the Frictionless datapackage library, then each table read and cast
// against its table schema with the tableschema library (types, formats,
// required, unique, enum). Prints every error and exits 1 when there is any.
'use strict'
const path = require('path')
const fs = require('fs')
const { Package } = require('datapackage')
const { Table } = require('tableschema')

async function main(dir) {
  const descriptor = path.join(dir, 'datapackage.json')
  const pkg = await Package.load(descriptor, { basePath: dir })
  const errors = []
  if (!pkg.valid) {
    for (const e of pkg.errors) errors.push(`datapackage.json: ${e.message || e}`)
  }
  let rows = 0
  for (const resource of pkg.descriptor.resources || []) {
    const file = path.join(dir, resource.path)
    if (!fs.existsSync(file)) {
      errors.push(`${resource.path}: missing`)
      continue
    }
    const table = await Table.load(file, { schema: resource.schema })
    const want = table.schema.fieldNames
    let read
    try {
      read = await table.read({ forceCast: true })
    } catch (e) {
      const list = e.multiple ? e.errors : [e]
      for (const x of list) errors.push(`${resource.path}: ${x.message}`)
      continue
    }
    const got = table.headers || []
    if (got.join(',') !== want.join(',')) {
      errors.push(`${resource.path}: header ${got.join(',')} is not the schema's ${want.join(',')}`)
    }
    read.forEach((row, i) => {
      if (row instanceof Error) {
        const list = row.multiple ? row.errors : [row]
        for (const x of list) errors.push(`${resource.path} row ${i + 1}: ${x.message}`)
      }
    })
    rows += read.length
  }
  for (const e of errors) console.log(e)
  console.log(`hsds-validator: ${pkg.descriptor.resources.length} tables, ${rows} rows, ${errors.length} errors`)
  process.exit(errors.length ? 1 : 0)
}

if (process.argv.length !== 3) {
  console.error('usage: node validate.js DIR')
  process.exit(2)
}
main(process.argv[2]).catch((e) => {
  console.error(`hsds-validator: ${e.stack || e}`)
  process.exit(2)
})

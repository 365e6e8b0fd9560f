//! Typed builders for the components shipped with Dash 4.4.1, generated
//! from the `metadata.json` files in the `dash==4.4.1` wheel by
//! `codegen/generate.py`. Do not edit the generated files (`html/`, `dcc/`,
//! `dash_table/`, `children_props.rs`) by hand; change the generator and run
//! `python3 codegen/generate.py` instead (`--check` verifies they are current).

pub(crate) mod children_props;
pub mod dash_table;
pub mod dcc;
pub mod html;

#[cfg(test)]
mod tests;

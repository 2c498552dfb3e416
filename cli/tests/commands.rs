//! The command line covers the spec: every operation has a subcommand whose help renders,
//! reachable by its short name and by its operation id; and the help reads as reviewed.

use std::collections::BTreeSet;

use easemob_cli::{command, groups, Place};

/// (group, operation id) of every operation the client has, from its generated list.
fn spec_operations() -> BTreeSet<(String, String)> {
    easemob_im::OPERATIONS.iter().map(|(group, id, _, _)| (group.replace('_', "-"), (*id).to_owned())).collect()
}

#[test]
fn every_operation_of_the_spec_has_a_subcommand() {
    let offered: BTreeSet<(String, String)> =
        groups().iter().flat_map(|g| g.operations.iter().map(move |o| (g.name.to_owned(), o.id.to_owned()))).collect();
    let spec = spec_operations();
    let missing: Vec<_> = spec.difference(&offered).collect();
    let extra: Vec<_> = offered.difference(&spec).collect();
    assert!(missing.is_empty(), "operations without a subcommand: {missing:?}");
    assert!(extra.is_empty(), "subcommands of no operation: {extra:?}");
    assert_eq!(offered.len(), easemob_im::OPERATIONS.len(), "two operations share a subcommand");
}

#[test]
fn every_subcommand_renders_its_help_and_takes_its_id_as_an_alias() {
    let mut root = command();
    root.build();
    for group in groups() {
        let group_command = root.find_subcommand(group.name).unwrap_or_else(|| panic!("no `{}` command", group.name));
        for operation in group.operations {
            let sub = group_command.find_subcommand(operation.name).unwrap_or_else(|| panic!("no `{} {}`", group.name, operation.name));
            let help = sub.clone().render_long_help().to_string();
            // Lines are wrapped: compare with single spaces.
            let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(words(&help).contains(&words(operation.about)), "`{} {}` help lacks its summary:\n{help}", group.name, operation.name);
            for arg in operation.args {
                let shown = match arg.place {
                    Place::Path => format!("<{}>", arg.id.to_uppercase().replace('-', "_")),
                    _ => format!("--{}", arg.id),
                };
                assert!(help.contains(&shown), "`{} {}` help lacks {shown}", group.name, operation.name);
            }
            // The operation id (kebab-case) reaches the same command.
            let full = operation.id.replace('_', "-");
            assert!(
                sub.get_name() == full || sub.get_all_aliases().any(|a| a == full),
                "`{} {full}` does not reach `{}`",
                group.name,
                operation.name
            );
        }
    }
}

#[test]
fn names_drop_the_group_noun_and_keep_ids_unique() {
    let names = |group: &str| -> Vec<(&str, &str)> {
        groups().iter().find(|g| g.name == group).unwrap().operations.iter().map(|o| (o.id, o.name)).collect()
    };
    let users = names("users");
    assert!(users.contains(&("get_user", "get")));
    assert!(users.contains(&("delete_user", "delete")));
    assert!(users.contains(&("delete_users", "delete-users")));
    assert!(names("groups").contains(&("list_group_members", "list-members")));
    assert!(names("messages").contains(&("send_user_text_message", "send-user-text")));
    for group in groups() {
        let unique: BTreeSet<&str> = group.operations.iter().map(|o| o.name).collect();
        assert_eq!(unique.len(), group.operations.len(), "`{}` has two commands of one name", group.name);
    }
}

#[test]
fn destructive_operations_are_marked() {
    let destructive: BTreeSet<&str> = groups().iter().flat_map(|g| g.operations.iter()).filter(|o| o.destructive).map(|o| o.id).collect();
    for id in ["delete_user", "delete_group", "deactivate_user", "disconnect_user", "recall_message", "remove_group_member", "block_users"] {
        assert!(destructive.contains(id), "{id} is not marked destructive");
    }
    for id in ["get_user", "list_groups", "register_user", "send_user_text_message", "activate_user"] {
        assert!(!destructive.contains(id), "{id} is marked destructive");
    }
}

#[test]
fn enum_values_are_checked_by_clap() {
    let error = command()
        .try_get_matches_from(["easemob", "messages", "send-user-text", "--to", "bob", "--body-msg", "hi", "--route-type", "ROUTE_SOMEWHERE"])
        .unwrap_err();
    assert_eq!(error.kind(), clap::error::ErrorKind::InvalidValue);
    assert!(error.to_string().contains("ROUTE_ONLINE"), "{error}");
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(command().term_width(100).render_long_help().to_string());
}

#[test]
fn one_operation_help() {
    let mut root = command().term_width(100);
    root.build();
    let help = root.find_subcommand("messages").unwrap().find_subcommand("send-user-text").unwrap().clone().render_long_help().to_string();
    insta::assert_snapshot!(help);
}

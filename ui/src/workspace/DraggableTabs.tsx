// antd tabs whose headers can be dragged to reorder them (dnd-kit).
import { DndContext, PointerSensor, closestCenter, useSensor, type DragEndEvent } from "@dnd-kit/core";
import { SortableContext, horizontalListSortingStrategy, useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { Tabs, type TabsProps } from "antd";
import { cloneElement, type ReactElement } from "react";

interface NodeProps {
  "data-node-key": string;
  style?: React.CSSProperties;
  children: ReactElement;
}

function DraggableTabNode({ children, ...props }: NodeProps) {
  const { attributes, listeners, setNodeRef, transform, transition } = useSortable({ id: props["data-node-key"] });
  return cloneElement(children as ReactElement<Record<string, unknown>>, {
    ref: setNodeRef,
    style: { ...props.style, transform: CSS.Translate.toString(transform), transition },
    ...attributes,
    ...listeners,
  });
}

type Props = Omit<TabsProps, "renderTabBar"> & { onMove: (from: string, to: string) => void };

export default function DraggableTabs({ onMove, items = [], ...rest }: Props) {
  // A small distance before a drag starts, so a click still selects or closes a tab.
  const sensor = useSensor(PointerSensor, { activationConstraint: { distance: 8 } });
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (over && active.id !== over.id) onMove(String(active.id), String(over.id));
  };
  return (
    <Tabs
      {...rest}
      items={items}
      renderTabBar={(tabBarProps, DefaultTabBar) => (
        <DndContext sensors={[sensor]} onDragEnd={onDragEnd} collisionDetection={closestCenter}>
          <SortableContext items={items.map((i) => i.key)} strategy={horizontalListSortingStrategy}>
            <DefaultTabBar {...tabBarProps}>
              {(node) => (
                <DraggableTabNode {...(node.props as NodeProps)} key={node.key}>
                  {node}
                </DraggableTabNode>
              )}
            </DefaultTabBar>
          </SortableContext>
        </DndContext>
      )}
    />
  );
}
